#include <iostream>
#include <string>
using namespace std;
int main() {
    string w;
    int cnt = 0;
    while (cin >> w) cnt++;
    cout << cnt << "\n";
    return 0;
}
