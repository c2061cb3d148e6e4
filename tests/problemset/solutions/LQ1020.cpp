#include <iostream>
using namespace std;
int main() {
    long long n, k;
    cin >> n >> k;
    long long sum = 0;
    for (long long x = k; x <= n; x += k) sum += x;
    cout << sum << "\n";
    return 0;
}
