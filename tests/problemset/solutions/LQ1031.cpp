#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n;
    long long S;
    cin >> n >> S;
    vector<long long> a(n);
    for (auto &x : a) cin >> x;
    int i = 0, j = n - 1;
    long long cnt = 0;
    while (i < j) {
        long long s = a[i] + a[j];
        if (s == S) {
            cnt++;
            i++;
            j--;
        } else if (s < S) {
            i++;
        } else {
            j--;
        }
    }
    cout << cnt << "\n";
    return 0;
}
